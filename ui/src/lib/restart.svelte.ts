// Why the app must restart (Settings › Team joined or left a database), kept
// for the whole session so the notice stays when the person navigates away
// and back: the running app keeps the database it opened until it restarts.

export const restart = $state<{ reason: string | null }>({ reason: null });
