import { Context } from "effect"
import type { Catalog } from "../Catalog/Catalog.js"

export type CatalogState =
  | { readonly _tag: "Loading" }
  | { readonly _tag: "Ready"; readonly catalog: Catalog }
  | { readonly _tag: "Failed"; readonly reason: string }

/**
 * Holds the current immutable catalog. A plain cell rather than a `Ref`: the request handler reads it
 * synchronously on the hot path, and swapping the reference is atomic in a single-threaded process.
 */
export class CatalogCell {
  private state: CatalogState = { _tag: "Loading" }
  private settledWaiters: Array<() => void> = []

  get current(): CatalogState {
    return this.state
  }

  /** Resolves once the first load attempt has finished (successfully or not). */
  settled(): Promise<void> {
    return this.state._tag === "Loading" ? new Promise((resolve) => this.settledWaiters.push(resolve)) : Promise.resolve()
  }

  swap(catalog: Catalog): void {
    this.settle({ _tag: "Ready", catalog })
  }

  /** A failure never replaces a catalog that is already serving. */
  fail(reason: string): void {
    if (this.state._tag !== "Ready") this.settle({ _tag: "Failed", reason })
  }

  private settle(state: CatalogState): void {
    this.state = state
    const waiters = this.settledWaiters
    this.settledWaiters = []
    for (const wake of waiters) wake()
  }
}

export class CatalogStore extends Context.Tag("avalon/CatalogStore")<CatalogStore, CatalogCell>() {}
