// The bare-Fastify baseline of host-bench: a Fastify 5 server in its own process with one route that does
// nothing (POST /noop → 202 {}), printing the same kind of listening line as shoal-host.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/noop', async (_request, reply) => reply.code(202).send({}));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`bare fastify listening on ${address}\n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
