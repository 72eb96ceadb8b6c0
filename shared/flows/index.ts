export * from './types';
export * from './identity';
export * from './direction';
export * from './hubble';
export * from './calico';
export * from './classify';
export * from './parser';
export * from './lines';
