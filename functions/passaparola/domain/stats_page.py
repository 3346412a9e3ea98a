"""How much of a referrer's friends and of the campaign's leaderboard their stats page lists.
Numbers alone, so the API's schemas can describe the page without loading the campaign's models."""

FRIENDS_SHOWN = 50
BOARD_SHOWN = 10
# How far down the leaderboard one query reads to find an opted-in viewer's place: its items
# are small (about 150 bytes), so this is one page of about 9 read units at most.
BOARD_DEPTH = 500
