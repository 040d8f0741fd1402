/** The exercises as the desk needs them (id, title, and the starter to diff against). */
export type ExerciseCatalog = () => readonly { id: string; title: string; starter: string }[];
