/** Temporal task queues: workflows and CPU steps on one, training on the other. */
export const TASK_QUEUES = { cpu: 'quiver-cpu', gpu: 'quiver-gpu' } as const;
export type QueueName = keyof typeof TASK_QUEUES;
