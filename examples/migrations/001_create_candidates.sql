-- 001_create_candidates: the people who apply. Everything else in this example hangs off them.
-- email_address is personal data (PII): keep it out of analytics and sanitise it in dumps.
CREATE TABLE public.candidates (
    id            bigserial   PRIMARY KEY,
    email_address text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- One account per address, whatever its letter case.
CREATE UNIQUE INDEX index_candidates_on_lower_email_address
    ON public.candidates (lower(email_address));

COMMENT ON COLUMN public.candidates.email_address IS 'PII: the candidate''s sign-in email address';
