/** A bounded list that forgets its oldest entries: the short history kept per instance. */
export class Ring<T> {
  private readonly items: T[] = [];

  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Oldest first. */
  toArray(): T[] {
    return [...this.items];
  }

  last(): T | undefined {
    return this.items[this.items.length - 1];
  }
}
