// The recorder facade with no OpenTelemetry setup at all: it registers the X-Ray pipeline itself.
import { xrayRecorder } from 'xray-otel-bridge';

const segment = xrayRecorder.beginSegment('facade-service');
xrayRecorder.inSubsegment('step', (sub) => sub.putAnnotation('n', 1));
segment.putMetadata('k', 'v');
xrayRecorder.endSegment();
console.log('ended');
