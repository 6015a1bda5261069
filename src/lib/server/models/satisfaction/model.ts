import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { DenseNet, type DenseLayer } from '../core/network.js';
import { loadModel, saveModel } from '../store.js';
import { designMatrix, parseFeature, type Design } from './design.js';
import { SCALE, type SatisfactionKind, type TicketFeatureRow } from './features.js';

/**
 * A trained satisfaction model: the design (features and their standardisation) and dense layers over the
 * standardised inputs. `linear`: one linear layer, ŷ = b + Σ wⱼzⱼ; `mlp`: a relu hidden layer, then a linear
 * output. Predictions are clamped to the answer scale: ŷ ↦ min(max, max(min, ŷ)).
 */
export interface SatisfactionModel extends Design {
	kind: SatisfactionKind;
	type: z.infer<typeof satisfactionTypeSchema>;
	layers: DenseLayer[];
}

/** Clamps a prediction to the kind's answer scale. */
export function clampToScale(kind: SatisfactionKind, v: number): number {
	return Math.min(SCALE[kind].max, Math.max(SCALE[kind].min, v));
}

/** Predictions for feature rows, in JavaScript (training and evaluation; `predictTickets` scores in SQL). */
export function predictRows(model: SatisfactionModel, rows: TicketFeatureRow[]): Float64Array {
	const x = designMatrix(model, rows);
	const net = new DenseNet(model.layers);
	const d = model.features.length;
	return Float64Array.from(rows, (_, i) => clampToScale(model.kind, net.logit(x, i * d)));
}

/** A double as an SQL literal; a string cast parses to the very same double. */
function num(v: number): RawBuilder<number> {
	if (!Number.isFinite(v)) throw new Error(`satisfaction model holds a non-finite number (${v}): retrain it`);
	return sql<number>`${sql.lit(String(v))}::DOUBLE`;
}

/**
 * SQL of the model's clamped prediction over the columns of `ticketFeaturesSql` (qualified by `alias`):
 * the same arithmetic as {@link predictRows}, so a whole table scores in one statement.
 */
export function predictionSql(model: SatisfactionModel, alias: string): RawBuilder<number> {
	const { mean, sd } = model.scaling;
	let inputs = model.features.map((name, j) => {
		const { column, value } = parseFeature(name);
		const ref = sql.ref(`${alias}.${column}`);
		const x = value === undefined ? sql`${ref}` : sql`CASE WHEN ${ref} = ${sql.lit(value)} THEN 1.0 ELSE 0.0 END`;
		return sql`((${x} - ${num(mean[j])}) / ${num(sd[j])})`;
	});
	for (const layer of model.layers) {
		inputs = layer.bias.map((b, u) => {
			const terms = inputs.map((input, i) => sql`${input} * ${num(layer.weights[i][u])}`);
			const pre = sql`(${num(b)} + ${sql.join(terms, sql` + `)})`;
			if (layer.activation === 'relu') return sql`greatest(0.0, ${pre})`;
			if (layer.activation === 'sigmoid') return sql`(1.0 / (1.0 + exp(-${pre})))`;
			return pre;
		});
	}
	const { min, max } = SCALE[model.kind];
	return sql<number>`least(${num(max)}, greatest(${num(min)}, ${inputs[0]}))`;
}

const layerSchema = z.object({
	weights: z.array(z.array(z.number())),
	bias: z.array(z.number()),
	activation: z.enum(['relu', 'sigmoid', 'linear'])
});
/** The model families a CSAT/CES model is chosen from. */
export const satisfactionTypeSchema = z.enum(['linear', 'mlp']);

const artifactSchema = z.object({ kind: z.enum(['csat', 'ces']), type: satisfactionTypeSchema, layers: z.array(layerSchema).min(1) });
const scalingSchema = z.object({ mean: z.array(z.number()), sd: z.array(z.number().positive()) });

/**
 * Saves the model as a new version of `models/<kind>/` (see `store.ts`): weights.json holds the type and
 * layers, features.json and scaling.json the design, beside the metadata and the evaluation.
 */
export function saveSatisfactionModel(
	model: SatisfactionModel,
	extras: { metadata: Record<string, unknown>; evaluation: unknown },
	root?: string
): { version: string; dir: string } {
	const { kind, type, layers, features, scaling } = model;
	return saveModel(kind, { model: { kind, type, layers }, features, scaling, ...extras }, root);
}

/**
 * Loads a saved `csat` or `ces` model version (see `store.ts`) and checks its files fit together: the
 * error names the folder and what does not match.
 */
export function readSatisfactionModel(kind: SatisfactionKind, version = 'latest', root?: string): SatisfactionModel & { version: string } {
	const loaded = loadModel(kind, version, root);
	const where = `${kind} model ${loaded.dir}`;
	const artifact = artifactSchema.safeParse(loaded.model);
	if (!artifact.success) throw new Error(`${where}: weights.json is not a satisfaction model: ${artifact.error.issues[0].message} at ${artifact.error.issues[0].path.join('.')}`);
	const scaling = scalingSchema.safeParse(loaded.scaling);
	if (!scaling.success) throw new Error(`${where}: scaling.json needs mean and positive sd arrays`);
	const d = loaded.features.length;
	if (artifact.data.kind !== kind) throw new Error(`${where}: weights.json holds a ${artifact.data.kind} model`);
	if (scaling.data.mean.length !== d || scaling.data.sd.length !== d) throw new Error(`${where}: scaling.json has ${scaling.data.mean.length} means for ${d} features`);
	if (artifact.data.layers[0].weights.length !== d) throw new Error(`${where}: the first layer takes ${artifact.data.layers[0].weights.length} inputs for ${d} features`);
	loaded.features.forEach(parseFeature);
	return { ...artifact.data, features: loaded.features, scaling: scaling.data, version: loaded.version };
}
