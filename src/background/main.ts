// Background entry: wires Thunderbird events to the engine. Filled in by the display,
// compose and options issues.
export {};
