"""The credentials the local fake providers accept (advisor.connectors.fakes): not secrets,
they open nothing but these fakes. Tests check that a pull writes them nowhere."""

TOKEN = "demo-token-5f3a9c"  # GITHUB_TOKEN, GITLAB_TOKEN and JIRA_TOKEN for the fakes
USER = "ana@example.com"  # JIRA_USER for the fake Jira Cloud
