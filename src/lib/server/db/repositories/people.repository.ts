import { sql, type Kysely, type Transaction } from 'kysely';
import type { PeopleTable, Schema } from '../schema.js';

/** A person as the app shows them: everything but the password hash. */
export type Person = Omit<PeopleTable, 'password_hash'>;

/** The columns a person is shown with: all but the password hash. */
export const PERSON_COLUMNS = ['person_id', 'email', 'name', 'role', 'csm', 'time_zone', 'active', 'created_at', 'updated_at'] as const;

/** The team's people (`people`): the only place that reads or writes the table. */
export class PeopleRepository {
	constructor(private readonly db: Kysely<Schema> | Transaction<Schema>) {}

	/** Everyone, by email. */
	list(): Promise<Person[]> {
		return this.db.selectFrom('people').select(PERSON_COLUMNS).orderBy('email').execute();
	}

	/** The person with this (lower-case) email, or undefined. */
	byEmail(email: string): Promise<Person | undefined> {
		return this.db.selectFrom('people').select(PERSON_COLUMNS).where('email', '=', email).executeTakeFirst();
	}

	/** What signing in checks: the person's id, whether they are active, their password's hash. */
	credentials(email: string): Promise<Pick<PeopleTable, 'person_id' | 'active' | 'password_hash'> | undefined> {
		return this.db.selectFrom('people').select(['person_id', 'active', 'password_hash']).where('email', '=', email).executeTakeFirst();
	}

	/** How many people there are (none: the app runs in local mode). */
	async count(): Promise<number> {
		const row = await this.db
			.selectFrom('people')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirst();
		return Number(row?.n ?? 0);
	}

	/** Adds a person; returns them as stored. */
	async insert(p: Omit<PeopleTable, 'person_id' | 'active' | 'created_at' | 'updated_at'>): Promise<Person> {
		await this.db
			.insertInto('people')
			.values({
				...p,
				person_id: sql<number>`nextval('person_id_seq')`,
				active: true,
				created_at: sql<string>`now()::TIMESTAMP`,
				updated_at: sql<string>`now()::TIMESTAMP`
			})
			.execute();
		return (await this.byEmail(p.email))!;
	}

	/** Changes some of a person's fields (and `updated_at`); returns them as stored. */
	async update(email: string, fields: Partial<Pick<PeopleTable, 'active' | 'password_hash'>>): Promise<Person> {
		await this.db
			.updateTable('people')
			.set({ ...fields, updated_at: sql<string>`now()::TIMESTAMP` })
			.where('email', '=', email)
			.execute();
		return (await this.byEmail(email))!;
	}
}
