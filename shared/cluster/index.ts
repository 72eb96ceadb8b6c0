export * from './snapshot';
export * from './names';
