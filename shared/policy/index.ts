export * from './types';
export * from './selectors';
export * from './cidr';
export * from './evaluate';
export * from './generate';
export * from './verify';
export * from './yaml';
export * from './format';
