import type { Request } from 'autocannon';

/** Seeded tasks by user, shared by a workload's connections; created ids are added as they appear. */
export interface TaskIds {
  readonly users: string[];
  readonly ids: Map<string, number[]>;
}

/** One request to send and what to learn from its answer. */
export interface Workload {
  readonly name: string;
  next(): Request;
  onResponse?(status: number, body: string, request: Request): void;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
const json = { 'content-type': 'application/json' };
let counter = 0;

function post(user: string): Request {
  counter++;
  return {
    method: 'POST',
    path: `/api/${user}/tasks`,
    headers: json,
    body: JSON.stringify({ title: `bench task ${counter}`, description: 'created under load' }),
  };
}

const PUT_BODIES = [
  '{"title":"renamed under load"}',
  '{"completed":true}',
  '{"title":"renamed again","description":"updated description","completed":false}',
  '{"description":null}',
];

/** The workloads of the shared harness, with the same mix of operations. */
export function workload(name: string, tasks: TaskIds): Workload {
  switch (name) {
    case 'read-one':
      return {
        name,
        next: () => {
          const user = pick(tasks.users);
          return { method: 'GET', path: `/api/${user}/tasks/${pick(tasks.ids.get(user)!)}` };
        },
      };
    case 'create':
      return { name, next: () => post(pick(tasks.users)) };
    case 'toggle-race': {
      const user = tasks.users[0]!;
      const hot = tasks.ids.get(user)!.slice(0, 10);
      return { name, next: () => ({ method: 'PATCH', path: `/api/${user}/tasks/${pick(hot)}/complete` }) };
    }
    case 'mixed': {
      // 50 % list, 20 % get one, 10 % create, 10 % update, 5 % toggle, 5 % delete followed by a create.
      let pendingCreate: Request | undefined;
      return {
        name,
        next: () => {
          if (pendingCreate) {
            const request = pendingCreate;
            pendingCreate = undefined;
            return request;
          }
          const user = pick(tasks.users);
          const ids = tasks.ids.get(user)!;
          const r = Math.random();
          if (r < 0.5) return { method: 'GET', path: `/api/${user}/tasks` };
          if (ids.length === 0 || (r >= 0.7 && r < 0.8)) return post(user);
          if (r < 0.7) return { method: 'GET', path: `/api/${user}/tasks/${pick(ids)}` };
          if (r < 0.9) return { method: 'PUT', path: `/api/${user}/tasks/${pick(ids)}`, headers: json, body: pick(PUT_BODIES) };
          if (r < 0.95) return { method: 'PATCH', path: `/api/${user}/tasks/${pick(ids)}/complete` };
          const [id] = ids.splice(Math.floor(Math.random() * ids.length), 1);
          pendingCreate = post(user);
          return { method: 'DELETE', path: `/api/${user}/tasks/${id}` };
        },
        onResponse: (status, body) => {
          if (status !== 201) return;
          const task = JSON.parse(body) as { id: number; user_id: string };
          tasks.ids.get(task.user_id)?.push(task.id);
        },
      };
    }
    default:
      throw new Error(`unknown workload ${name} (read-one, mixed, create, toggle-race)`);
  }
}
