export * from './portset';
export * from './model';
export * from './connlist';
export * from './diff';
