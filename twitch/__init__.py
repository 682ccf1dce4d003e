"""The Twitch clients every Twitch-facing service uses: Helix (`helix`) and the seeded user token
(`tokens`). Pointed at Twitch, or at the stand-in by settings."""
