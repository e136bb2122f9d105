/** The bare floor's step: does nothing, so what the bench times is Temporal's own dispatch. */
export async function noop(): Promise<void> {}
