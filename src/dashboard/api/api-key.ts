/**
 * The server's API key, when it has one: asked for once (the first answer 401), kept in session storage
 * (this tab only, gone when it closes) and sent as the x-functions-key header — never in a URL, which
 * would end up in logs and browser history.
 */
const STORAGE_KEY = 'taskhub.apiKey';
export const API_KEY_HEADER = 'x-functions-key';

export type KeyPromptReason = 'required' | 'invalid';

export interface KeyPrompt {
  reason: KeyPromptReason;
  submit: (key: string) => void;
}

type PromptListener = (prompt: KeyPrompt | undefined) => void;

const listeners = new Set<PromptListener>();
let pending: { prompt: KeyPrompt; answer: Promise<string> } | undefined;

export function storedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}

/** Shows the key dialog (once for every request waiting on it) and resolves with what the user enters. */
export function askForKey(reason: KeyPromptReason): Promise<string> {
  if (pending) return pending.answer;
  let submit: (key: string) => void = () => undefined;
  const answer = new Promise<string>((resolve) => {
    submit = (key) => {
      sessionStorage.setItem(STORAGE_KEY, key);
      pending = undefined;
      for (const listener of listeners) listener(undefined);
      resolve(key);
    };
  });
  const prompt = { reason, submit };
  pending = { prompt, answer };
  for (const listener of listeners) listener(prompt);
  return answer;
}

/** The dialog listens here; it gets the prompt in progress, if any, at once. */
export function onKeyPrompt(listener: PromptListener): () => void {
  listeners.add(listener);
  listener(pending?.prompt);
  return () => listeners.delete(listener);
}
