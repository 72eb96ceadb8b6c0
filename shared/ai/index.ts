export * from './payload';
export * from './prompt';
export * from './reply';
export * from './review';
export * from './adopt';
export * from './run';
