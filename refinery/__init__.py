"""The data refinery: stages that turn raw crawl and dumps into training data."""
