"""The live evening on the phone: theme, table, rounds, votes, agreements, closing."""
