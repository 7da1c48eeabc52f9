"""One file a revision, each naming the revision it follows."""
