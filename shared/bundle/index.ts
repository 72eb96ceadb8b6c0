export * from './bundle';
export * from './report';
