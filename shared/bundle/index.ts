export * from './bundle';
export * from './report';
export * from './paths';
