/** Sets of entity indices as ascending, duplicate-free Int32Arrays (set operations: see Marks). */

export const emptySet: Int32Array = new Int32Array(0)
