export * from './client/index'
export * from './core/index'
export * from './protocol/index'
