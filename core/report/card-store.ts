import { stateStore } from '../object-store/index';
import type { ObjectStore } from '../object-store/types';

/** The two renderings of one model card. */
export type CardFormat = 'html' | 'md';

/**
 * Written model cards in the shared-state store, `cards/<model>/<version>.html` and `.md` (under
 * `QUIVER_HOME` with a `file://` store, under the bucket prefix with `s3://`), so a card written on
 * one host is what `quiver serve` on any other host answers at `/models/NAME/versions/N/card`. A
 * card is replaced whole (one PUT or one rename per format) each time it is written again.
 */
export class ModelCardStore {
  constructor(
    private readonly objects: ObjectStore,
    private readonly prefix = 'cards',
  ) {}

  static at(where: { home: string; store: string }): ModelCardStore {
    return new ModelCardStore(stateStore(where));
  }

  /** The object key of one rendering (`cards/iris/3.html`). */
  key(model: string, version: number, format: CardFormat): string {
    return `${this.prefix}/${model}/${version}.${format}`;
  }

  /** The object's URI, for messages and CLI output. */
  uriOf(model: string, version: number, format: CardFormat): string {
    return this.objects.uriOf(this.key(model, version, format));
  }

  /** Stores both renderings; returns their URIs. */
  async write(
    model: string,
    version: number,
    card: { html: string; markdown: string },
  ): Promise<{ html: string; markdown: string }> {
    await this.objects.put(this.key(model, version, 'html'), card.html);
    await this.objects.put(this.key(model, version, 'md'), card.markdown);
    return { html: this.uriOf(model, version, 'html'), markdown: this.uriOf(model, version, 'md') };
  }

  /**
   * One rendering, or null when no card of that version was written.
   *
   * @throws StoreStateError naming the object when it exists but cannot be read.
   */
  async read(model: string, version: number, format: CardFormat = 'html'): Promise<string | null> {
    const object = await this.objects.get(this.key(model, version, format));
    return object ? object.body.toString('utf8') : null;
  }
}
