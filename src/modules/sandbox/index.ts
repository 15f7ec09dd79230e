/** What other modules (and bots/) may use of sandbox. */
export { describeTrace } from './message-trace';
export { SandboxClient, SandboxClientError } from './sandbox-client';
export { prepareSandbox } from './sandbox-setup';
export type { ChatItem, SandboxView } from './sandbox-view';
export { mountSandbox } from './sandbox.module';
