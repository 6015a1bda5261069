/**
 * Training the ticket-topic classifier: which topic a new ticket is about, from its subject alone (all
 * there is when it arrives; agents add tags later). Labels are the topics past tickets' tags give them
 * (the taxonomy's tag rules); tickets without a topic tag are left out. The newest 20 % of labelled
 * tickets are held out: the classifier, trained on the older ones, is measured on them against the
 * taxonomy's keyword rules on the same subjects (what the app does without it). The classifier is used
 * for triage only when it is more accurate on the held-out tickets; both figures are saved and printed.
 */
import { sql } from 'kysely';
import type { Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { keywordTopicSql, tagTopicSql } from '../../facts/topics.js';
import { saveModel } from '../store.js';
import { predictTopic, trainTopicModel } from './classifier.js';

export interface TriageEvaluation {
	/** Labelled tickets trained on and held out (the newest). */
	train: number;
	test: number;
	/** Share of held-out tickets whose topic the classifier / the keyword rules got right. */
	accuracy: number;
	baseline_accuracy: number;
	/** `classifier` when it beats the keyword rules on the held-out tickets, else `taxonomy`. */
	chosen: 'classifier' | 'taxonomy';
	/** Per topic on the held-out tickets: how many, and each method's recall. */
	topics: { topic: string; n: number; classifier: number; taxonomy: number }[];
	held_out_from: string;
}

export class TriageTrainingError extends Error {}

const MIN_LABELLED = 50;

export async function trainTriage(db: Database, config: Config): Promise<{ version: string; evaluation: TriageEvaluation }> {
	const { rows } = await sql<{ subject: string | null; topic: string; keyword: string; created_at: string }>`
		SELECT subject, topic, keyword, created_at FROM (
			SELECT subject, created_at, ${tagTopicSql(config, sql`tags`)} AS topic, ${keywordTopicSql(config, sql`subject`)} AS keyword
			FROM tickets WHERE NOT coalesce(deleted, false)
		) WHERE topic <> 'Other' ORDER BY created_at, subject`.execute(db.kysely);
	if (rows.length < MIN_LABELLED)
		throw new TriageTrainingError(
			`only ${rows.length} tickets carry a topic tag (the config's topics[].tags); the triage classifier needs at least ${MIN_LABELLED}`
		);
	const cut = Math.floor(rows.length * 0.8);
	const train = rows.slice(0, cut);
	const test = rows.slice(cut);
	const model = trainTopicModel(train.map((r) => ({ text: r.subject, topic: r.topic })));
	const perTopic = new Map<string, { n: number; classifier: number; taxonomy: number }>();
	let right = 0;
	let baseline = 0;
	for (const r of test) {
		const p = predictTopic(model, r.subject).topic === r.topic;
		const b = r.keyword === r.topic;
		right += Number(p);
		baseline += Number(b);
		const t = perTopic.get(r.topic) ?? { n: 0, classifier: 0, taxonomy: 0 };
		t.n++;
		t.classifier += Number(p);
		t.taxonomy += Number(b);
		perTopic.set(r.topic, t);
	}
	const evaluation: TriageEvaluation = {
		train: train.length,
		test: test.length,
		accuracy: right / test.length,
		baseline_accuracy: baseline / test.length,
		chosen: right > baseline ? 'classifier' : 'taxonomy',
		topics: [...perTopic.entries()]
			.map(([topic, t]) => ({ topic, n: t.n, classifier: t.classifier / t.n, taxonomy: t.taxonomy / t.n }))
			.sort((a, b) => b.n - a.n),
		held_out_from: test[0].created_at
	};
	const { version } = saveModel('triage', {
		model,
		features: ['subject'],
		metadata: { kind: 'naive_bayes', labels: 'topic tags', topics: model.topics },
		evaluation
	});
	return { version, evaluation };
}
