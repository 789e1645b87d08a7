// In-memory record of received webhooks: the last 200 (oldest dropped first),
// plus per-name failure plans ("answer 500 the next N times") for retry tests.
export interface Delivery {
  /** Increasing sequence number, 1-based. */
  id: number;
  name: string;
  receivedAt: string;
  method: string;
  /** Path and query as received. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
  /** What the sink answered: 200, or the failure status it was told to use. */
  status: number;
}

export type NewDelivery = Omit<Delivery, 'id' | 'status' | 'json'>;

const anyName = '*';

export class DeliveryLog {
  readonly #capacity: number;
  #deliveries: Delivery[] = [];
  #nextId = 1;
  #failures = new Map<string, { remaining: number; status: number }>();

  constructor(capacity = 200) {
    this.#capacity = capacity;
  }

  /** Records a delivery and decides the status to answer with. */
  record(input: NewDelivery): Delivery {
    const delivery: Delivery = {
      ...input,
      id: this.#nextId++,
      status: this.#takeFailure(input.name),
      json: parseJson(input.body),
    };
    this.#deliveries.push(delivery);
    if (this.#deliveries.length > this.#capacity) this.#deliveries.shift();
    return delivery;
  }

  /** Newest first; only `name` when given. */
  list(name?: string): Delivery[] {
    const all = [...this.#deliveries].reverse();
    return name === undefined ? all : all.filter((d) => d.name === name);
  }

  /** The next `count` deliveries to `name` (or to any name) are answered with `status`. */
  failNext(name: string | undefined, count: number, status = 500): void {
    if (count <= 0) this.#failures.delete(name ?? anyName);
    else this.#failures.set(name ?? anyName, { remaining: count, status });
  }

  reset(): void {
    this.#deliveries = [];
    this.#failures.clear();
  }

  #takeFailure(name: string): number {
    for (const key of [name, anyName]) {
      const plan = this.#failures.get(key);
      if (plan === undefined) continue;
      plan.remaining -= 1;
      if (plan.remaining <= 0) this.#failures.delete(key);
      return plan.status;
    }
    return 200;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
