/**
 * Runs once before jest starts its workers, which inherit the environment: the process clock of
 * every test is UTC whatever the machine's zone, so nothing passes by accident on a Shanghai machine.
 * (Setting TZ inside a running worker does not move its clock.)
 */
export default function globalSetup(): void {
  process.env.TZ = 'UTC';
}
