import { sql } from 'kysely';
import { loadConfig, type Config } from '../../config/config.js';
import type { Database } from '../../db/connection.js';
import { mae, rmse } from '../evaluate.js';
import type { SatisfactionEvaluation } from '../evaluations.js';
import { designMatrix, learnDesign } from './design.js';
import { endOfData, ticketFeaturesSql, type SatisfactionKind, type TicketFeatureRow } from './features.js';
import { fitLinear, fitMlp } from './fit.js';
import { predictRows, saveSatisfactionModel, type SatisfactionModel } from './model.js';

/** Options of {@link trainSatisfaction}. */
export interface TrainSatisfactionOptions {
	/** The end of the data, `YYYY-MM-DD` (default: just after the latest activity). */
	asOf?: string;
	/** Seed of the network's initialisation and row order (default 42). */
	seed?: number;
	/** Models folder (default `ADOPTION_MODELS`, else `models`). */
	root?: string;
	/** The topic taxonomy (default: the config file's). */
	config?: Config;
}

const DAY_MS = 86_400_000;
/** The test window, and the validation window before it. */
const WINDOW_DAYS = 90;
/** Fewer answered tickets than this cannot fit a few dozen coefficients. */
const MIN_TRAIN = 100;
/** The network is a candidate only with this many answers to fit it and this many to compare on. */
const MLP_MIN = { train: 2000, valid: 200 };

const daysBefore = (iso: string, days: number) => new Date(Date.parse(iso) - days * DAY_MS).toISOString();
const labelOf = (kind: SatisfactionKind) => (kind === 'csat' ? 'actual_csat' : 'actual_ces');

/** Answered tickets (of `kind`) created before `asOf`, with their features as known then, in a fixed order. */
async function answeredRows(db: Database, config: Config, kind: SatisfactionKind, asOf: string): Promise<TicketFeatureRow[]> {
	const { rows } = await sql<TicketFeatureRow>`
		SELECT * FROM (${ticketFeaturesSql(config, asOf)}) f WHERE ${sql.ref(labelOf(kind))} IS NOT NULL
		ORDER BY created_at, ticket_id`.execute(db.kysely);
	return rows;
}

/** The answers of `rows` (rows are answered ones). */
function labels(kind: SatisfactionKind, rows: TicketFeatureRow[]): Float64Array {
	return Float64Array.from(rows, (r) => r[labelOf(kind)] as number);
}

/** Fits a model of `type` on answered rows: the design (one-hot levels, standardisation) comes from them. */
export async function fitSatisfaction(kind: SatisfactionKind, rows: TicketFeatureRow[], type: SatisfactionModel['type'], seed = 42): Promise<SatisfactionModel> {
	if (rows.length < MIN_TRAIN) throw new Error(`${kind}: ${rows.length} answered tickets to train on; at least ${MIN_TRAIN} are needed`);
	const design = learnDesign(rows);
	const data = { x: designMatrix(design, rows), y: labels(kind, rows), n: rows.length, d: design.features.length };
	const layers = type === 'linear' ? fitLinear(data) : await fitMlp(data, seed);
	return { kind, type, ...design, layers };
}

/**
 * The candidate with the lower MAE on the validation window (tickets created in the 90 days before the
 * test window, scored with features as of its end; both fitted on answers from before it). Least squares
 * when there are too few answers for the network.
 */
async function chooseType(
	kind: SatisfactionKind,
	fitRows: TicketFeatureRow[],
	validRows: TicketFeatureRow[],
	validFrom: string,
	seed: number
): Promise<{ type: SatisfactionModel['type']; selection: SatisfactionEvaluation['selection'] }> {
	if (fitRows.length < MLP_MIN.train || validRows.length < MLP_MIN.valid) return { type: 'linear', selection: null };
	const y = labels(kind, validRows);
	const linear = mae(y, predictRows(await fitSatisfaction(kind, fitRows, 'linear', seed), validRows));
	const mlp = mae(y, predictRows(await fitSatisfaction(kind, fitRows, 'mlp', seed), validRows));
	return {
		type: mlp < linear ? 'mlp' : 'linear',
		selection: { valid_from: validFrom, linear_mae: linear, mlp_mae: mlp, n_train: fitRows.length, n_valid: validRows.length }
	};
}

/**
 * Trains the `csat` or `ces` model, evaluates it honestly in time and saves it (`models/<kind>/<version>/`).
 *
 * With E the end of the data: the model type (least squares or the small network) is chosen on the
 * validation window [E − 180 d, E − 90 d); the chosen type is then fitted on the tickets answered before
 * E − 90 d (features as known then) and tested on the tickets created in [E − 90 d, E), against the
 * baseline that predicts the training mean for every ticket. improvement = 1 − MAE / baseline MAE.
 * Predictions are clamped to the scale (CSAT 1–5, CES 1–7). The saved model is refitted on every ticket
 * answered before E, the evaluation stored beside it.
 */
export async function trainSatisfaction(
	db: Database,
	kind: SatisfactionKind,
	opts: TrainSatisfactionOptions = {}
): Promise<{ version: string; dir: string; evaluation: SatisfactionEvaluation }> {
	const config = opts.config ?? loadConfig();
	const seed = opts.seed ?? 42;
	const end = await endOfData(db, opts.asOf);
	const testFrom = daysBefore(end, WINDOW_DAYS);
	const validFrom = daysBefore(testFrom, WINDOW_DAYS);

	const atValid = await answeredRows(db, config, kind, validFrom);
	const atTest = await answeredRows(db, config, kind, testFrom);
	const atEnd = await answeredRows(db, config, kind, end);
	const test = atEnd.filter((r) => r.created_at >= testFrom);
	if (atTest.length < MIN_TRAIN || !test.length) {
		throw new Error(
			`${kind}: cannot evaluate: ${atTest.length} tickets answered before ${testFrom} (need ${MIN_TRAIN}) and ${test.length} answered tickets created since (need 1)`
		);
	}

	const { type, selection } = await chooseType(kind, atValid, atTest.filter((r) => r.created_at >= validFrom), validFrom, seed);
	const evaluated = await fitSatisfaction(kind, atTest, type, seed);
	const y = labels(kind, test);
	const p = predictRows(evaluated, test);
	const trainY = labels(kind, atTest);
	const trainMean = trainY.reduce((a, b) => a + b, 0) / trainY.length;
	const baseline = new Float64Array(y.length).fill(trainMean);
	const evaluation: SatisfactionEvaluation = {
		mae: mae(y, p),
		rmse: rmse(y, p),
		baseline_mae: mae(y, baseline),
		baseline_rmse: rmse(y, baseline),
		improvement: 1 - mae(y, p) / mae(y, baseline),
		n_train: atTest.length,
		n_test: test.length,
		model: type,
		features: evaluated.features,
		as_of: end,
		test_from: testFrom,
		selection
	};

	const final = await fitSatisfaction(kind, atEnd, type, seed);
	const finalY = labels(kind, atEnd);
	const saved = saveSatisfactionModel(
		final,
		{
			metadata: {
				kind,
				type,
				as_of: end,
				training_window: { from: atEnd[0].created_at, to: end, answered_tickets: atEnd.length },
				training_mean: finalY.reduce((a, b) => a + b, 0) / finalY.length,
				seed,
				topics: config.topics.map((t) => t.topic)
			},
			evaluation
		},
		opts.root
	);
	return { ...saved, evaluation };
}
