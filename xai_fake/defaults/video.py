"""Defaults for ``xai_api.Video``: deferred jobs that take minutes on the fake's clock.

A job is PENDING until :func:`render_seconds` after it started (minutes, as docs.x.ai describes:
"Video generation is an asynchronous process that typically takes up to several minutes to
complete", longer for longer videos; https://docs.x.ai/developers/model-capabilities/video/generation),
then DONE (or the FAILED / EXPIRED outcome planned for it). While the clock runs in real time
(``fake.clock.real``, the default) each poll also counts as a third of that wait, so a job is DONE
on its third poll, as fast as ever; a test that freezes the clock advances it instead.

Jobs live in the typed state of their team, ``state.of(VideoState)`` (another team's request id is
NOT_FOUND); the planned outcomes of the next jobs, set by tests, in ``state.of(VideoPlans)``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import ClassVar

from google.protobuf.message import Message

from xai_fake.defaults import tokens
from xai_fake.defaults.enums import check_enum
from xai_fake.defaults.models import VIDEO_MODELS
from xai_fake.defaults.state import State
from xai_fake.errors import invalid_argument, not_found
from xai_sdk.proto import deferred_pb2, image_pb2, usage_pb2, video_pb2

#: Polls answered PENDING before a job reaches its final status, while the clock runs in real time.
PENDING_POLLS = 2
#: Seconds of the fake's clock a job takes to start rendering, and per second of video it renders.
RENDER_BASE_SECONDS = 60
RENDER_SECONDS_PER_VIDEO_SECOND = 36
DEFAULT_DURATION = 6
MAX_DURATION = 15
MAX_EXTENSION = 10
PRICE_PER_SECOND = 500_000_000  # 1e-10 USD ticks: $0.05 per second of video


def fake_mp4(seed: bytes) -> bytes:
    """A few bytes shaped like an MP4 file: an ``ftyp`` box and an ``mdat`` box."""
    ftyp = b"ftyp" + b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41"
    mdat = b"mdat" + seed
    return struct.pack(">I", len(ftyp) + 4) + ftyp + struct.pack(">I", len(mdat) + 4) + mdat


def video_model(name: str) -> str:
    """The video model's name; INVALID_ARGUMENT if empty, NOT_FOUND if unknown."""
    if not name:
        raise invalid_argument(f"model is required, e.g. model={VIDEO_MODELS[0]!r}")
    if name not in VIDEO_MODELS:
        known = ", ".join(VIDEO_MODELS)
        raise not_found(f"video model {name!r} does not exist or you do not have access to it; known: {known}")
    return name


def _duration(request: video_pb2.GenerateVideoRequest | video_pb2.ExtendVideoRequest, limit: int) -> int:
    duration = request.duration if request.HasField("duration") else DEFAULT_DURATION
    if not 1 <= duration <= limit:
        raise invalid_argument(f"duration must be between 1 and {limit} seconds, got {duration}")
    return duration


def check_generate(request: video_pb2.GenerateVideoRequest) -> tuple[str, int]:
    """Validate a GenerateVideoRequest; returns ``(model, duration)``."""
    model = video_model(request.model)
    if not request.prompt:
        raise invalid_argument("prompt is required: describe the video to generate")
    check_enum("aspect_ratio", request.aspect_ratio, video_pb2.VideoAspectRatio)
    check_enum("resolution", request.resolution, video_pb2.VideoResolution)
    if request.HasField("image"):
        check_enum("image.detail", request.image.detail, image_pb2.ImageDetail)
    return model, _duration(request, MAX_DURATION)


def check_extend(request: video_pb2.ExtendVideoRequest) -> tuple[str, int]:
    """Validate an ExtendVideoRequest; returns ``(model, duration)``."""
    model = video_model(request.model)
    if request.video.WhichOneof("source") is None:
        raise invalid_argument("video is required: set video.url or video.file_id to the video to extend")
    if not request.prompt:
        raise invalid_argument("prompt is required: describe how the video continues")
    return model, _duration(request, MAX_EXTENSION)


def render(state: State, request: Message, model: str, duration: int) -> video_pb2.VideoResponse:
    """A finished VideoResponse whose URL serves a fake MP4 from the fake's HTTP file server."""
    data = fake_mp4(state.rng("video", request).randbytes(64))
    url = state.publish(f"/videos/{state.new_id('vid')}.mp4", data, "video/mp4")
    prompt = tokens.count(getattr(request, "prompt", ""))
    return video_pb2.VideoResponse(
        video=video_pb2.GeneratedVideo(url=url, duration=duration, respect_moderation=True),
        model=model,
        progress=100,
        usage=usage_pb2.SamplingUsage(
            prompt_tokens=prompt,
            prompt_text_tokens=prompt,
            total_tokens=prompt,
            cost_in_usd_ticks=PRICE_PER_SECOND * duration,
        ),
    )


def render_seconds(duration: int) -> int:
    """Seconds of the fake's clock a job for ``duration`` seconds of video takes: 4.6 minutes for the
    default 6 seconds, 10 minutes for the longest, 15 seconds."""
    return RENDER_BASE_SECONDS + RENDER_SECONDS_PER_VIDEO_SECOND * duration


@dataclass
class VideoJob:
    """A started video job: what it was asked, how it ends, when it is ready, how often it was polled."""

    request: Message
    model: str
    duration: int
    status: int = deferred_pb2.DONE  # the final status
    error: video_pb2.VideoError | None = None
    #: Polls made while the clock ran in real time (each one stands for a part of the wait).
    polls: int = 0
    result: video_pb2.VideoResponse | None = field(default=None, repr=False)
    #: Clock times the job started and ends.
    started: float = 0.0
    ready_at: float = 0.0


@dataclass
class VideoState:
    """What the Video service remembers for one team: its jobs by request id."""

    jobs: dict[str, VideoJob] = field(default_factory=dict)


@dataclass
class VideoPlans:
    """The planned outcomes of the next started jobs, whoever starts them (set by tests)."""

    SHARED = True  # one for all tenants: a test's plan, not a team's data

    #: ``(final status, error)`` for the next started jobs, in order; see ``fail_next`` and ``expire_next``.
    plans: list[tuple[int, video_pb2.VideoError | None]] = field(default_factory=list)


class VideoDefaults:
    """Video jobs: PENDING for :func:`render_seconds` of the clock (or :data:`PENDING_POLLS` polls in
    real time), then DONE with a downloadable video.

    ``fail_next(code, message)`` and ``expire_next()`` make the next started job end
    FAILED (with a VideoError) or EXPIRED instead; they queue, and ``fake.reset()``
    forgets them.
    """

    #: The service these handlers serve (the defaults registry finds them by it).
    SERVICE: ClassVar[str] = "xai_api.Video"

    def __init__(self, state: State) -> None:
        self.state = state

    @property
    def _plans(self) -> list[tuple[int, video_pb2.VideoError | None]]:
        return self.state.of(VideoPlans).plans

    def fail_next(self, code: str = "INTERNAL", message: str = "video generation failed") -> None:
        """Make the next started job end FAILED with ``VideoError(code, message)``."""
        self._plans.append((deferred_pb2.FAILED, video_pb2.VideoError(code=code, message=message)))

    def expire_next(self) -> None:
        """Make the next started job end EXPIRED."""
        self._plans.append((deferred_pb2.EXPIRED, None))

    def _start(self, request: Message, model: str, duration: int) -> deferred_pb2.StartDeferredResponse:
        now = self.state.time()
        job = VideoJob(request, model, duration, started=now, ready_at=now + render_seconds(duration))
        plans = self._plans
        if plans:
            job.status, job.error = plans.pop(0)
        request_id = self.state.new_id("video-request")
        self.state.of(VideoState).jobs[request_id] = job
        return deferred_pb2.StartDeferredResponse(request_id=request_id)

    def GenerateVideo(
        self, request: video_pb2.GenerateVideoRequest, context: object
    ) -> deferred_pb2.StartDeferredResponse:
        return self._start(request, *check_generate(request))

    def ExtendVideo(self, request: video_pb2.ExtendVideoRequest, context: object) -> deferred_pb2.StartDeferredResponse:
        return self._start(request, *check_extend(request))

    def GetDeferredVideo(
        self, request: video_pb2.GetDeferredVideoRequest, context: object
    ) -> video_pb2.GetDeferredVideoResponse:
        if not request.request_id:
            raise invalid_argument("request_id is required: pass the id returned by GenerateVideo or ExtendVideo")
        job = self.state.of(VideoState).jobs.get(request.request_id)
        if job is None:
            raise not_found(
                f"video request {request.request_id!r} does not exist; use the request_id returned by GenerateVideo"
            )
        now, real = self.state.time(), self.state.clock.real
        if real:
            job.polls += 1
        waited = (now - job.started) / (job.ready_at - job.started)
        if real:
            waited = max(waited, job.polls / (PENDING_POLLS + 1))
        if waited < 1:
            pending = video_pb2.VideoResponse(model=job.model, progress=int(100 * max(waited, 0.0)))
            return video_pb2.GetDeferredVideoResponse(status=deferred_pb2.PENDING, response=pending)
        if job.status == deferred_pb2.EXPIRED:
            return video_pb2.GetDeferredVideoResponse(status=deferred_pb2.EXPIRED)
        if job.status == deferred_pb2.FAILED:
            failed = video_pb2.VideoResponse(model=job.model, error=job.error)
            return video_pb2.GetDeferredVideoResponse(status=deferred_pb2.FAILED, response=failed)
        if job.result is None:
            job.result = render(self.state, job.request, job.model, job.duration)
        return video_pb2.GetDeferredVideoResponse(status=deferred_pb2.DONE, response=job.result)
