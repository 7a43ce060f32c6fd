// Message display script: replaces the body in the message pane with the sanitised view the
// background prepared. Filled in by the display issue.
export {};
