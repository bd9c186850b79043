class DomainError(Exception):
    """A rule said no. The message is written for the person who asked, in their words.

    Views turn it into a form error or a message; it never becomes a 500.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
