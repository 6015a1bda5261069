/** How one delivery attempt went: delivered; failed for good (do not retry); or failed for now (retry, after at least `retryAfterMs` if the receiver said). */
export type Delivery =
	{ ok: true } | { ok: false; permanent: true; error: string } | { ok: false; permanent: false; error: string; retryAfterMs?: number };

/** The message as a channel sends it. */
export interface OutgoingMessage {
	idempotency_key: string;
	recipient: string;
	subject: string;
	body: string;
	payload: string;
	/** The one-click opt-out link, for the List-Unsubscribe header of an email. */
	optout: string | null;
}
