"""Policy text → quantified statements: cleaning, patterns, mentions, their meaning, and statements."""
