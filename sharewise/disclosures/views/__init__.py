"""The disclosures pages, by job: building and sending referrals, what left the
organisation, and the partner directory."""
