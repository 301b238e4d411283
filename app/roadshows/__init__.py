"""Roadshows (路演): events, lineups, invitations, registrations and what came of them."""
