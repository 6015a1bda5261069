/**
 * A ticket-topic classifier on the subject line: multinomial naive Bayes over word unigrams and bigrams,
 * Laplace-smoothed. Small, exact and deterministic (no randomness in training); its artifact is the
 * per-topic log probabilities, which score without the training code.
 *
 * P(topic | subject) ∝ P(topic) · Π_tokens P(token | topic), with
 * P(token | topic) = (count(token, topic) + α) / (Σ count(·, topic) + α·|V|).
 */
export interface TopicModel {
	topics: string[];
	/** log P(topic). */
	priors: number[];
	/** token → log P(token | topic) per topic. */
	tokens: Record<string, number[]>;
}

/** Lower-cased words of a subject, and each pair of neighbours. */
export function tokenize(text: string | null): string[] {
	const words = (text ?? '').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
	return [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
}

export function trainTopicModel(rows: { text: string | null; topic: string }[], alpha = 1): TopicModel {
	const topics = [...new Set(rows.map((r) => r.topic))].sort();
	const index = new Map(topics.map((t, i) => [t, i]));
	const docs = new Array(topics.length).fill(0);
	const totals = new Array(topics.length).fill(0);
	const counts = new Map<string, number[]>();
	for (const r of rows) {
		const k = index.get(r.topic)!;
		docs[k]++;
		for (const tok of tokenize(r.text)) {
			let c = counts.get(tok);
			if (!c) counts.set(tok, (c = new Array(topics.length).fill(0)));
			c[k]++;
			totals[k]++;
		}
	}
	const v = counts.size;
	const denom = totals.map((t) => Math.log(t + alpha * v));
	const tokens: Record<string, number[]> = {};
	for (const [tok, c] of counts) tokens[tok] = c.map((n, k) => Math.log(n + alpha) - denom[k]);
	return {
		topics,
		priors: docs.map((d) => Math.log(d / rows.length)),
		tokens
	};
}

/** The most likely topic of `text` and its posterior probability. */
export function predictTopic(m: TopicModel, text: string | null): { topic: string; probability: number } {
	const scores = [...m.priors];
	for (const tok of tokenize(text)) {
		const lp = m.tokens[tok];
		// Tokens never seen in training say nothing about any topic: skipping them keeps the priors' say.
		if (lp) for (let k = 0; k < scores.length; k++) scores[k] += lp[k];
	}
	const max = Math.max(...scores);
	const exp = scores.map((s) => Math.exp(s - max));
	const sum = exp.reduce((a, b) => a + b, 0);
	const best = scores.indexOf(max);
	return { topic: m.topics[best], probability: exp[best] / sum };
}
