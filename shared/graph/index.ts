export * from './types';
export * from './keys';
export * from './builder';
export * from './selection';
export * from './warnings';
export * from './analysis';
export * from './summary';
export * from './filter';
