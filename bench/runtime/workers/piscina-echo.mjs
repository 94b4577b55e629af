// Worker side of the piscina candidate. Every export is the same echo; the exported name (`pin0`, `pin1`…)
// only carries the target worker to the pinning load balancer (the balancer sees the task's `name`, never
// its payload).
const echo = (m) => ({ t: 'reply', id: m.id, ok: true, value: undefined });
export default echo;
export const pin0 = echo;
export const pin1 = echo;
export const pin2 = echo;
export const pin3 = echo;
