/** api.md `RuntimeError` and its codes, defined once in `@shoal/shared` and re-exported here. */
export {
  type InvalidInputKind,
  isRuntimeError,
  RuntimeError,
  type RuntimeErrorCode,
} from '@shoal/shared';
