// The kinds of event in the machine's heap (the low 3 bits of a payload).
//
// The rest of a payload names the context, source or call the event is for.

/** A context's step ends. */
export const EV_STEP = 0;
/** A lock is handed to the context that waited for it. */
export const EV_GRANT = 1;
/** A workload source's next arrival. */
export const EV_ARRIVAL = 2;
/** A timed free is due. */
export const EV_TIMER = 3;
/** The end of the run. */
export const EV_END = 4;
/** A call scheduled with Machine.at(). */
export const EV_CALL = 5;
