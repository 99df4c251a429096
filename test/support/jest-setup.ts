// The engine's tests start hosts with an empty directory (no agents in post): each file that wants the Région's
// world (LOCAL_AGENTS, decision 13) says so in its host's settings.
process.env.LOCAL_AGENTS ??= '0';
