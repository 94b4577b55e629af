// Worker side of the comlink candidate: a control-plane style API whose `dispatch` echoes a reply.
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

expose(
  {
    dispatch(m) {
      return { t: 'reply', id: m.id, ok: true, value: undefined };
    },
  },
  nodeEndpoint(parentPort),
);
