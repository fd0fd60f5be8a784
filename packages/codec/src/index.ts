export * from './gen/vehicle_data_pb.js';
export * from './gen/vehicle_alert_pb.js';
export * from './gen/vehicle_error_pb.js';
export * from './gen/vehicle_connectivity_pb.js';
export * from './gen/vehicle_metric_pb.js';
export * from './envelope/index.js';
export * from './json/index.js';
export * from './view/index.js';
