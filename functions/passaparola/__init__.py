"""passaparola: the referral functions shipped to AWS Lambda."""
