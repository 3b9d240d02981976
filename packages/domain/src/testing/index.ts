export { aNewTask } from './a-task.js';
export { describeTaskRepositoryContract, type TaskRepositoryFixture } from './describe-task-repository-contract.js';
export { failingTaskRepository } from './failing-task-repository.js';
export { InMemoryTaskRepository } from './in-memory-task-repository.js';
