import type { FastifyReply, FastifyRequest } from 'fastify';
import { HostError } from '../errors.js';
import type { KeyRing } from './keys.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant of the request's API key; set by `bearerAuth` on every `/v1` route. */
    tenant: string;
  }
}

const REALM = 'shoal';

/** The `WWW-Authenticate` challenge of RFC 6750 sent with every 401. */
export function challenge(invalidToken: boolean): string {
  return invalidToken ? `Bearer realm="${REALM}", error="invalid_token"` : `Bearer realm="${REALM}"`;
}

/** The key of an `Authorization: Bearer <key>` header, or undefined when there is none. */
export function bearerKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * An `onRequest` hook: resolves the tenant of the request's key, or answers 401 with `WWW-Authenticate`
 * (missing header, not a Bearer header, or an unknown key).
 */
export function bearerAuth(keys: KeyRing) {
  // Callback style: this runs on every /v1 request, and an async hook costs a promise each time.
  return (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void => {
    const key = bearerKey(request.headers.authorization);
    if (key === undefined) {
      reply.header('www-authenticate', challenge(false));
      done(new HostError('UNAUTHORIZED', 401, 'an Authorization: Bearer <key> header is required'));
      return;
    }
    const tenant = keys.tenantFor(key);
    if (tenant === undefined) {
      reply.header('www-authenticate', challenge(true));
      done(new HostError('UNAUTHORIZED', 401, 'unknown API key'));
      return;
    }
    request.tenant = tenant;
    done();
  };
}
