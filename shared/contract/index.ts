/**
 * The contract between the stack (infra/) and the code: table definitions, the bucket's layout,
 * environment variable names, API key roles, message types and the route table. infra/ imports
 * nothing else from the code (the functions' entry files it bundles are paths, not imports).
 */

export * from './browser-keys';
export * from './bucket-layout';
export * from './dashboard';
export * from './environment';
export * from './key-roles';
export * from './message-types';
export * from './retrain-limits';
export {
  FUNCTION_NAMES,
  type FunctionName,
  functionKeyRoles,
  type PreflightRoute,
  preflightRoutes,
  type Route,
  routes,
} from './routes';
export * from './tables';
