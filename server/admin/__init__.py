"""Administration (issue 12): user administration, the audit viewer and subject access. Composed above the areas
(it reads people, custody, investigations and intelligence), like server/whole_person.py."""
